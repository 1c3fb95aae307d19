"""Training: the batched trainer, the kernel objective and Algorithm 1."""
