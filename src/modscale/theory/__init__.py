"""Theory: closed-form losses of the monolithic and modular linear models."""
