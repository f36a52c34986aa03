console.log('skip');
