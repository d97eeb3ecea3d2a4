"""Channel-layer group names."""


def board_group_name(board_id: int) -> str:
    return f"board.{board_id}"
