"""Developer tools on top of the compiler: the dump reader and HTML report (``report``),
the numerics bisector (``bisect``) and the differential fuzzer driver (``fuzz``)."""
