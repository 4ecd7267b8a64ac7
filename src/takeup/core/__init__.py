"""What every app shares. Imports no app."""
