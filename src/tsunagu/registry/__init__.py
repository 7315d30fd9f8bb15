"""Base registries (ベース・レジストリ): residents, corporations and addresses."""
