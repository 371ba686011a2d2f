"""The typical-case archive (典型案例): cases staff propose and the manager publishes, discussed in
meetings, searchable by text (Chinese included), tags, category, person, vehicle, date and outcome."""
