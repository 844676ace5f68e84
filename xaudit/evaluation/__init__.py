"""How far to trust an explanation: faithfulness, sparsity and stability measures."""
