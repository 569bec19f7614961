"""Reports: the national report and city profiles (HTML and A4 PDF from one context)."""
