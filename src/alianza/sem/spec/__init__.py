"""What the model says: lavaan syntax, the parameter table (one group or G), `:=` definitions."""
