"""The book's figures, one module per chapter (``figures/<chapter>.py``) and one drawing function
per paper item or figure: it takes the data the chapter loaded (frames or arrays, documented with
their shapes and units) and returns a ``matplotlib.figure.Figure``; the chapter page narrates,
loads, calls it, glues and exports. No drawing function computes a result or reads the store."""
