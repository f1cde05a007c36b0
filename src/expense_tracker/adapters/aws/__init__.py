"""Adapters of the AWS deployment only: DynamoDB, S3, Cognito, the data lake, the Lambda wiring."""
