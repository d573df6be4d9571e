"""Benchmarks of the service's DynamoDB cost, run against AWS's DynamoDB Local (see bench.cost)."""
