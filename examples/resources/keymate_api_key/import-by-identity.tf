# Import an existing key by its resource identity with an import block (Terraform 1.12+).
import {
  to       = keymate_api_key.example
  identity = { id = "key_0123456789abcdef" }
}
