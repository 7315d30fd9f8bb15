"""Notifications (お知らせ): inbox, push-type notices and delivery to other channels."""
