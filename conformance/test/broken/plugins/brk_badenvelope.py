from broken import main

main("brk_badenvelope", "badenvelope")
