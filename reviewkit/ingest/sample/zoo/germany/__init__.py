"""Zoo company `germany`: its generator, exports, spec, ground truth and reference configuration."""
