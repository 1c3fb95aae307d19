"""Tasks: the sine-wave task and Compositional CIFAR-10 data."""
