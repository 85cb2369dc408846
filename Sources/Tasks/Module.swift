// Tasks module (being written).
