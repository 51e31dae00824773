from ninja import NinjaAPI

api = NinjaAPI(title="anskaf API", version="1", urls_namespace="api")
