#!/usr/bin/env bash
# Placeholder until the performance issue lands: the benchmark harness.
echo "make bench: not implemented yet"
