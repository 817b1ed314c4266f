2048 SHA256:/gJOEWGtOSOzOyH4taS3QrHD8Zs0EECLjeD9wEK5IfU id_rsa_2048_pem_enc@keywright.test (RSA)
