"""Zoo company `brazil`: its generator, exports, spec, ground truth and reference configuration."""
