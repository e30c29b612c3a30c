# Import an existing key by its id. The API cannot return the secret of an
# existing key, so `secret` stays null until the next rotation.
terraform import keymate_api_key.example key_0123456789abcdef
