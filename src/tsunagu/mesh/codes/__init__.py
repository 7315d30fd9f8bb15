"""機関別符号: each organization's own opaque code for a person, translated only by the directory."""
