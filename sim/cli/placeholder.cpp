// The CLI commands live here as they are built.
