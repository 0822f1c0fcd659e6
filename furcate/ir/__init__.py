"""furcate's IR: the ``furcate`` xDSL dialect, types, builder, printing and parsing."""
