// Learning module (being written).
