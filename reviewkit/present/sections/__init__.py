"""One module per pack section: frames from analysis in, HTML out."""
