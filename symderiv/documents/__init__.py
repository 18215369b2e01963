"""Documents (notes and users' files) read and checked line by line."""
