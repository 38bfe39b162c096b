from broken import main

main("brk_refuseall", "refuseall")
