"""Amazon Web Services: VPC, EKS, IRSA and the S3 backup target behind the cloud contract."""
