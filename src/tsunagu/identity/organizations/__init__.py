"""Organizations (組織): municipalities, national agencies and private services on the platform."""
