//! Gazetteers: countries, intergovernmental organisations, role titles.
