from broken import main

main("brk_badreply", "badreply")
