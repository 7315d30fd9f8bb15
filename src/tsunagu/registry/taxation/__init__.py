"""住民税の課税台帳: the municipality's yearly assessment of each resident's 所得 (課税・非課税)."""
