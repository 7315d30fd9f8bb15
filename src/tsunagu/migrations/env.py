"""Alembic environment: uses the engine handed over by ``tsunagu.migrations.config``."""

from alembic import context

from tsunagu.migrations.schema import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=context.config.attributes.get("include_object"),
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
