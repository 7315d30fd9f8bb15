"""Public service mesh (公共サービスメッシュ): signed, authorized, logged data exchange with push."""
