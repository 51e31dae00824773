// The OpenID Connect provider of the SSO tests: npm's oauth2-mock-server, a real provider
// (authorization code flow, PKCE with S256, RS256-signed tokens with a `kid`, JWKS, userinfo),
// started on 127.0.0.1 by anskaf/orgs/tests/test_oidc.py.
//
// Who logs in: the test plays the browser and calls /authorize itself. It adds one parameter
// a real provider would get from its login form: `anskaf_test_claims`, base64url-encoded JSON
// with the person's claims (sub, preferred_username, email, given_name, family_name, roles,
// groups, ...). They go into the ID token and the access token (beforeTokenSigning) and are
// answered by /userinfo (beforeUserinfo). Claims named in `_id_token_only` (a list) are left
// out of /userinfo, as Entra ID's userinfo endpoint leaves out `roles` and `groups`.
//
// Usage: node server.mjs [port]   (default 0: any free port)
// Prints one JSON line on stdout when it listens: {"issuer": "http://127.0.0.1:PORT"}.
// Stops on SIGTERM or SIGINT, or when stdin closes (so it never outlives the test run).

import { OAuth2Server } from "oauth2-mock-server";

const HOST = "127.0.0.1";
const port = Number.parseInt(process.argv[2] ?? "0", 10);
const REGISTERED = new Set(["iss", "aud", "exp", "iat", "nbf", "nonce", "scope", "amr", "_id_token_only"]);

// code -> claims, from the authorize request until the code is redeemed
const claimsByCode = new Map();

function decodeClaims(raw) {
  if (typeof raw !== "string" || raw === "") return null;
  const claims = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  if (claims === null || typeof claims !== "object" || Array.isArray(claims)) {
    throw new Error("anskaf_test_claims must be a JSON object");
  }
  return claims;
}

function jwtPayload(token) {
  const part = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");

server.service.on("beforeAuthorizeRedirect", (redirect, req) => {
  const claims = decodeClaims(req.query.anskaf_test_claims);
  const code = redirect.url.searchParams.get("code");
  if (claims && code) claimsByCode.set(code, claims);
});

server.service.on("beforeTokenSigning", (token, req) => {
  const code = req.body?.code;
  const claims = code ? claimsByCode.get(code) : undefined;
  if (!claims) return;
  // Both tokens carry the person: the ID token for the relying party, the access token so
  // that /userinfo knows whom it is asked about.
  Object.assign(token.payload, claims);
});

server.service.on("beforeResponse", (_response, req) => {
  const code = req.body?.code;
  if (code) claimsByCode.delete(code);
});

server.service.on("beforeUserinfo", (response, req) => {
  const header = req.headers.authorization ?? "";
  const [scheme, token] = header.split(" ");
  if (scheme?.toLowerCase() !== "bearer" || !token) {
    response.statusCode = 401;
    response.body = { error: "invalid_token" };
    return;
  }
  const payload = jwtPayload(token);
  const hidden = new Set([...(payload._id_token_only ?? []), ...REGISTERED]);
  response.body = Object.fromEntries(Object.entries(payload).filter(([key]) => !hidden.has(key)));
});

await server.start(port, HOST);
server.issuer.url = `http://${HOST}:${server.address().port}`;
process.stdout.write(`${JSON.stringify({ issuer: server.issuer.url })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
