"""App assembly: routers of every part, middleware, templates and static assets."""
