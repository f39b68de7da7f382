"""Zoo company `usa`: its generator, exports, spec, ground truth and reference configuration."""
