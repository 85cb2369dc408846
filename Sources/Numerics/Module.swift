// Numerics module (being written).
