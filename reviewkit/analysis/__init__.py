"""Pure computations, frames in and frames out, no HTML and no files."""
