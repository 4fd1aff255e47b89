"""Files → structured reports: loaders read PDF/DOCX/HTML/TXT into blocks, `tables` maps them to the
standard tables, `metadata` finds agency, year, format, date and sections; `extract.extract` ties it together."""
