"""公金受取口座登録簿: the one bank account a person registers for public payments."""
