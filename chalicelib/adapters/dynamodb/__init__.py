"""The DynamoDB repositories, one module per concern; every key they build comes from `keys`."""
