"""Models: batched MLPs, modular networks, CIFAR classifiers."""
