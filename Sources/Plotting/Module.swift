// Plotting module (being written).
