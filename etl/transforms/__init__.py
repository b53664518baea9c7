"""Pure transforms: functions of DataFrames and rows, no database, no network."""
