from broken import main

main("brk_ignoresterm", "ignoresterm")
