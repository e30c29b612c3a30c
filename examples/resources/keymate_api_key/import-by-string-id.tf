# Import an existing key by its id with an import block (Terraform 1.5+).
import {
  to = keymate_api_key.example
  id = "key_0123456789abcdef"
}
