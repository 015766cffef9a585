"""Parameter table -> RAM matrices -> implied moments, and their closed-form derivatives."""
