"""One module per group of routes; each route validates, calls one service, shapes the answer."""
