analyze --since 2026-11-29T07:56:00Z --until "2026-11-29 07:56:30" --by label --interval 10s --format json -
